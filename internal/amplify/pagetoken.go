package amplify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
)

// Signed tokens. A token is a payload followed by a MAC over a purpose, the values it is bound
// to (the query it continues) and the payload, with the deployment's cursor secret: a token
// is valid only for the listing it came from and cannot be forged or altered.

const tokenMACLen = 16

// maxTokenPayload bounds the payload of a token (a bucket name, a sequence number).
const maxTokenPayload = 128

func tokenMAC(key []byte, purpose string, binding []string, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.Quote(purpose)))
	for _, b := range binding {
		m.Write([]byte{0})
		m.Write([]byte(strconv.Quote(b)))
	}
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:tokenMACLen]
}

// sealToken returns payload as a token for the listing named by purpose and binding.
func (s *Service) sealToken(ctx context.Context, purpose string, binding []string, payload []byte) (string, error) {
	key, err := s.cursorSecret(ctx)
	if err != nil {
		return "", err
	}
	buf := append(append([]byte{}, payload...), tokenMAC(key, purpose, binding, payload)...)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// openToken returns the payload of a token sealToken made for the same purpose and binding,
// or a BadRequest for any other string.
func (s *Service) openToken(ctx context.Context, purpose string, binding []string, token string) ([]byte, error) {
	invalid := invalidToken()
	if len(token) > base64.RawURLEncoding.EncodedLen(maxTokenPayload+tokenMACLen) {
		return nil, invalid
	}
	buf, err := base64.RawURLEncoding.DecodeString(token)
	// The decoder skips line breaks: only the token's one canonical spelling is accepted.
	if err != nil || len(buf) <= tokenMACLen || base64.RawURLEncoding.EncodeToString(buf) != token {
		return nil, invalid
	}
	key, err := s.cursorSecret(ctx)
	if err != nil {
		return nil, err
	}
	payload, mac := buf[:len(buf)-tokenMACLen], buf[len(buf)-tokenMACLen:]
	if !hmac.Equal(mac, tokenMAC(key, purpose, binding, payload)) {
		return nil, invalid
	}
	return payload, nil
}

func invalidToken() error {
	return Invalid("The NextToken is not valid for this request: get a new one by listing from the start.")
}
