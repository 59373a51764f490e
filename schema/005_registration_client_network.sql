-- The registering client's coarse network (IPv4 /24, IPv6 /48; issue 6, defect 3), so organisers can find and cancel a
-- burst of invented registrations. Erased with the person's data.
ALTER TABLE registrations ADD COLUMN client_network TEXT;
