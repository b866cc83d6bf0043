DROP TABLE provider_users;
DROP TABLE services;
