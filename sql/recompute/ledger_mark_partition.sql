INSERT INTO partcost_recompute_partition (run_id, partition, parts, failed_parts, committed_at, fingerprint)
VALUES (%(run_id)s, %(partition)s, %(parts)s, %(failed)s, now(), %(fingerprint)s)
