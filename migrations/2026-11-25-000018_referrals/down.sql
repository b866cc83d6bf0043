DROP TABLE referral_events;
DROP TABLE referrals;
DROP FUNCTION ffc_referral_rules();
DROP FUNCTION ffc_referral_capacity();
