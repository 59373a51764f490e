-- PostgreSQL only (issue 11): a batch of public registrations is decided, numbered and written by one statement,
-- so the ticket code of each new id is computed here, by the same Feistel network as auth::ticket_cipher with its
-- sha256 scheme (4 rounds over two 20-bit halves; a round is the first 20 bits of SHA-256(key, round, half, 0x5a);
-- 8 symbols of the ticket alphabet). Installations made before this keep their SipHash codes and decide in C++
-- (settings "ticket_scheme"); tests/pg/pg_test.cpp holds both implementations to the same vectors.
CREATE FUNCTION eventd_ticket_code(key bytea, id bigint) RETURNS text
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  l integer := ((id >> 20) & 1048575)::integer;
  r integer := (id & 1048575)::integer;
  n integer;
  d bytea;
  bits bigint;
  code text := '';
BEGIN
  FOR i IN 0..3 LOOP
    d := sha256(key || set_byte(set_byte(set_byte(set_byte(decode('000000005a', 'hex'), 0, i), 1, (r >> 16) & 255),
                                         2, (r >> 8) & 255), 3, r & 255));
    n := l # (((get_byte(d, 0) << 16) | (get_byte(d, 1) << 8) | get_byte(d, 2)) & 1048575);
    l := r;
    r := n;
  END LOOP;
  bits := (l::bigint << 20) | r;
  FOR k IN 1..8 LOOP
    code := substr('23456789ABCDEFGHJKLMNPQRSTUVWXYZ', (bits & 31)::integer + 1, 1) || code;
    bits := bits >> 5;
  END LOOP;
  RETURN code;
END $$;
