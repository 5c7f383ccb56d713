-- The fingerprint recorded by the latest committed run of this partition (same partition count).
SELECT p.fingerprint
FROM partcost_recompute_partition AS p
JOIN partcost_recompute_run AS r ON r.id = p.run_id
WHERE r.partitions = %(partitions)s AND p.partition = %(partition)s
ORDER BY p.committed_at DESC, p.run_id DESC
LIMIT 1
