-- Every partition's latest recorded fingerprint (partcost.recompute.changes's record) at this partition count,
-- from whichever committed run wrote it last.
SELECT DISTINCT ON (p.partition) p.partition, p.fingerprint
FROM partcost_recompute_partition AS p
JOIN partcost_recompute_run AS r ON r.id = p.run_id
WHERE r.partitions = %(partitions)s
ORDER BY p.partition, p.committed_at DESC, p.run_id DESC
