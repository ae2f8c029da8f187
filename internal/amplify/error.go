package amplify

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They are the exception names clients see in X-Amzn-ErrorType; the four modeled
// ones map to typed errors in every AWS SDK.
const (
	BadRequest       = "BadRequestException"
	NotFound         = "NotFoundException"
	TooManyRequests  = "TooManyRequestsException"
	GatewayTimeout   = "GatewayTimeoutException"
	NotImplemented   = "NotImplementedException"
	UnknownOperation = "UnknownOperationException"
	Internal         = "InternalFailure"
	// Unavailable is a failure of the store (disk full, read-only, database down, timeout):
	// HTTP 503, which the standard retry of every AWS SDK retries. StoreUnavailable makes one.
	Unavailable = "ServiceUnavailableException"

	// Authentication failures (auth mode sigv4).
	MissingAuthenticationToken = "MissingAuthenticationTokenException"
	UnrecognizedClient         = "UnrecognizedClientException"
	InvalidSignature           = "InvalidSignatureException"
)

// Resource types named by NotFound errors.
const (
	ResourceApp         = "app"
	ResourceEnvironment = "environment"
	ResourceAuth        = "auth"
	ResourceAPI         = "api"
	ResourceStorage     = "storage"
	ResourceJob         = "job"
	ResourceToken       = "token"
	ResourceConfig      = "config"
	ResourceBucket      = "bucket"
)

// Error is the one error type the domain returns to clients. Code is an AWS exception name;
// Message is what the client reads. Anything that is not an *Error is an internal failure.
type Error struct {
	Code         string
	Message      string
	ResourceType string       // NotFound only
	LimitType    string       // TooManyRequests only
	Failure      StoreFailure // Unavailable only
	// Err is the cause, for the log (Unavailable); it is never sent to the client.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Refusal reports whether the error refuses a request for a reason the client can act on
// (a bad request, a missing resource, a limit), rather than a failure of the service
// (Internal) or of its store (Unavailable), after which the same request may succeed.
func (e *Error) Refusal() bool { return e.Code != Internal && e.Code != Unavailable }

// StoreFailure is the kind of a store failure, as Unavailable messages name it: what an
// operator must fix, in words that name no file, host or credential.
type StoreFailure string

// The kinds of store failure. Each store classifies its driver's errors into them in one
// place (internal/sqlite, internal/postgres: classify).
const (
	StoreDiskFull StoreFailure = "the store's disk is full"
	StoreReadOnly StoreFailure = "the store is read-only"
	StoreDown     StoreFailure = "the database is unavailable"
	StoreTimeout  StoreFailure = "the database did not answer in time"
)

// StoreUnavailable returns the Unavailable error for a store failure of the given kind
// caused by err (logged, never sent).
func StoreUnavailable(kind StoreFailure, err error) *Error {
	return &Error{
		Code:    Unavailable,
		Message: "The service cannot serve this request now: " + string(kind) + ". Retry later.",
		Failure: kind,
		Err:     err,
	}
}

// FailureKind returns the kind of store failure err is (or wraps), or "" if it is none.
func FailureKind(err error) StoreFailure {
	var e *Error
	if !errors.As(err, &e) || e.Code != Unavailable {
		return ""
	}
	return e.Failure
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and Internal otherwise.
func ErrorCode(err error) string {
	if err == nil {
		return "" // before errors.As, whose target would be allocated for nothing
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// serviceMessage words a domain failure as the real service does:
// "<Kind> - An error occurred while processing your request: <detail>".
func serviceMessage(kind, detail string) string {
	return kind + " - An error occurred while processing your request: " + detail
}

// Invalid returns a BadRequest for a request the service refuses, worded as the real
// service words it ("ValidationException - An error occurred ...").
func Invalid(format string, args ...any) *Error {
	return &Error{Code: BadRequest, Message: serviceMessage("ValidationException", fmt.Sprintf(format, args...))}
}

// Missing returns a NotFound for a resource of the given type.
func Missing(resourceType, format string, args ...any) *Error {
	return &Error{
		Code:         NotFound,
		Message:      serviceMessage("NotFoundException", fmt.Sprintf(format, args...)),
		ResourceType: resourceType,
	}
}

// CheckStorable returns a BadRequest error if one of values (the strings and *strings written
// to a store; other types are not checked: bytes are binary, JSON escapes a NUL) holds the
// NUL character U+0000. PostgreSQL cannot store it in text and SQLite can, so every store
// checks what it writes with this function and all stores answer alike; no name, label or
// configuration needs it. Requests are refused earlier, naming the member (internal/api);
// this is the stores' own guarantee.
func CheckStorable(values ...any) error {
	for _, v := range values {
		var nul bool
		switch v := v.(type) {
		case string:
			nul = strings.IndexByte(v, 0) >= 0
		case *string:
			nul = v != nil && strings.IndexByte(*v, 0) >= 0
		}
		if nul {
			return Errorf(BadRequest, "1 validation error detected: a value contains the NUL character (U+0000), which cannot be stored")
		}
	}
	return nil
}
