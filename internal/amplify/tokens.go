package amplify

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// DefaultTokenTTL is the lifetime of challenge tokens when Service.TokenTTL is zero.
const DefaultTokenTTL = 10 * time.Minute

// challengeAlphabet is the RFC 4648 base32 alphabet: 5 bits a character, no look-alikes of
// 0/1, easy to type.
const challengeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// challengeLength gives challenge codes 80 bits of entropy.
const challengeLength = 16

func (s *Service) tokenTTL() time.Duration {
	if s.TokenTTL > 0 {
		return s.TokenTTL
	}
	return DefaultTokenTTL
}

// CreateToken creates a one-time challenge token for Admin UI login to an app: a new session
// id (UUID), a random challenge code and an expiry TokenTTL from now. NotFound if the app does
// not exist.
func (s *Service) CreateToken(ctx context.Context, key AppKey) (*Token, error) {
	if err := CheckName("appId", key.AppID); err != nil {
		return nil, err
	}
	var tok *Token
	err := s.Store.Update(ctx, func(tx Tx) error {
		if err := appPresent(tx, key); err != nil {
			return err
		}
		tok = &Token{
			AppKey:        key,
			SessionID:     s.newID(),
			ChallengeCode: s.randomString(challengeAlphabet, challengeLength),
			// Stored with millisecond precision, Ttl is read in whole seconds: keep them equal.
			Expires: s.now().Add(s.tokenTTL()).Truncate(time.Second),
		}
		return tx.PutToken(tok)
	})
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// GetToken returns an app's challenge token until it expires or is deleted. NotFound if the
// app does not exist, or the token does not (any more).
func (s *Service) GetToken(ctx context.Context, key AppKey, sessionID string) (*Token, error) {
	if err := checkNames("appId", key.AppID, "sessionId", sessionID); err != nil {
		return nil, err
	}
	var tok *Token
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		tok, err = liveToken(tx, key, sessionID, s.now())
		return err
	})
	if err != nil {
		return nil, err
	}
	return tok, nil
}

// DeleteToken deletes an app's challenge token. NotFound if the app does not exist, or the
// token does not (any more); an expired token is deleted all the same.
func (s *Service) DeleteToken(ctx context.Context, key AppKey, sessionID string) error {
	if err := checkNames("appId", key.AppID, "sessionId", sessionID); err != nil {
		return err
	}
	var gone error
	err := s.Store.Update(ctx, func(tx Tx) error {
		gone = nil
		_, err := liveToken(tx, key, sessionID, s.now())
		var e *Error
		switch {
		case errors.As(err, &e) && e.Code == NotFound && e.ResourceType == ResourceToken:
			// Answer NotFound, but commit the removal of an expired token.
			gone = err
		case err != nil:
			return err
		}
		return tx.DeleteToken(key, sessionID)
	})
	if err != nil {
		return err
	}
	return gone
}

// liveToken returns the app's token if it has not expired at now.
func liveToken(tx Tx, key AppKey, sessionID string, now time.Time) (*Token, error) {
	if err := appPresent(tx, key); err != nil {
		return nil, err
	}
	tok, err := tx.Token(key, sessionID)
	if ErrorCode(err) == NotFound || err == nil && !now.Before(tok.Expires) {
		return nil, NoToken(key, sessionID)
	}
	return tok, err
}

// Token sweeps delete expired tokens in batches of sweepBatch, at most sweepBatches batches
// (each its own transaction, so that the writer is never held long) per sweep.
const (
	sweepBatch   = 500
	sweepBatches = 20
)

// DeleteExpiredTokens deletes the challenge tokens that have expired, at most 10,000 (in
// transactions of 500), and returns how many it deleted. Expired tokens answer NotFound
// whether they are stored or not; deleting them bounds the store to the tokens of one TTL.
// The daemon calls it periodically; a sweep that finds more than it may delete leaves the
// rest to the next.
func (s *Service) DeleteExpiredTokens(ctx context.Context) (int, error) {
	total := 0
	for range sweepBatches {
		n, err := s.Store.DeleteExpiredTokens(ctx, s.now(), sweepBatch)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
	return total, nil
}

// EpochSeconds formats t as challenge tokens' Ttl is written: Unix epoch seconds as a
// decimal string.
func EpochSeconds(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10)
}
