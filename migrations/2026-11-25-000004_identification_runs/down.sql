DROP TABLE identification_results;
DROP TABLE identification_runs;
