DROP TABLE allocations;
DROP FUNCTION ffc_allocation_only_ends();
DROP FUNCTION ffc_allocation_capacity();
