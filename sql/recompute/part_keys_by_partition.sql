-- Every part's key with its hash partition, in one scan of tasks_part: a full run hands each partition
-- its keys (partcost.recompute.load.with_listed_keys), so that the partition's statements reach the
-- big tables through their part-key indexes instead of each scanning them whole.
SELECT key AS part_id, mod({part_hash(key)}, %(partitions)s) AS partition
FROM tasks_part
