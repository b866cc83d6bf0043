DROP TABLE referral_updates;
