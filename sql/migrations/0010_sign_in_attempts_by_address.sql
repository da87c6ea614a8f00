-- Sign-in throttling reads the recent attempts from the request's address as well as for the email
-- (SignInThrottle: 20 failures from one address lock it). Without this index every sign-in would
-- scan the whole attempts table, which anyone can grow by failing to sign in.

CREATE INDEX sign_in_attempts_address_idx ON sign_in_attempts (remote_address, at DESC)
    WHERE remote_address IS NOT NULL;
