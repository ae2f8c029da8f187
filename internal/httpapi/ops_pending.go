package httpapi

import (
	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// notImplemented answers the operations whose behaviour is not built yet: they are routed,
// decoded and validated, then refused with 501 NotImplementedException.
func notImplemented(op string) error {
	return amplify.Errorf(amplify.NotImplemented, "%s is routed and validated, but its behaviour is not implemented yet in amplifybackendd.", op)
}
