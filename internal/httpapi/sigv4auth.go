package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sigv4"
)

// SigV4Auth is auth mode "sigv4": every request must carry a valid Signature Version 4
// signature (Authorization header or presigned URL) by a key of Keys, scoped to the
// amplifybackend service. The request acts in the key's account and in the region of its
// credential scope. Failures are MissingAuthenticationToken, UnrecognizedClient or
// InvalidSignature (403).
type SigV4Auth struct {
	// Keys are the accepted access keys; nil accepts none.
	Keys *sigv4.Keyring
	// Now is the clock signatures are checked against; nil means time.Now.
	Now func() time.Time
}

var _ Authenticator = SigV4Auth{}

// Authenticate verifies the signature of r over body.
func (a SigV4Auth) Authenticate(r *http.Request, body []byte) (amplify.Scope, error) {
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	// One lookup per request: the key that verified the signature is the one whose account
	// the request acts in, even if the keyring is reloaded meanwhile.
	res, key, err := a.Keys.Verify(r, body, now())
	if err != nil {
		return amplify.Scope{}, signatureError(err)
	}
	return amplify.Scope{Account: key.AccountID, Region: res.Region}, nil
}

// signatureError turns a refused signature into the domain's error of the same code (403).
func signatureError(err error) error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("verify signature: %w", err)
	}
	code := amplify.InvalidSignature
	switch se.Code {
	case sigv4.MissingAuthenticationToken:
		code = amplify.MissingAuthenticationToken
	case sigv4.UnrecognizedClient:
		code = amplify.UnrecognizedClient
	}
	return &amplify.Error{Code: code, Message: se.Message}
}
