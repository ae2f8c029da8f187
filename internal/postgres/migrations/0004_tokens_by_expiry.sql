-- Expired challenge tokens are deleted in bounded batches, the earliest first
-- (Store.DeleteExpiredTokens): without this index each batch scanned the whole table.
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
