-- The family's lower-layer super output area, for councils whose deprived-area list is by LSOA.
ALTER TABLE families ADD COLUMN lsoa text CHECK (lsoa ~ '^[EW]01[0-9]{6}$');
