\set id random(1, 1000000000)
INSERT INTO bench_insert VALUES (:id, :client_id, 'durable single-row insert');
