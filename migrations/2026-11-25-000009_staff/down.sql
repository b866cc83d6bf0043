DROP TABLE staff;
DROP TABLE teams;
