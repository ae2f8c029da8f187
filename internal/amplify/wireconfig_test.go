package amplify_test

import (
	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

func init() { amplify.SetWireConfigs(wireconfig.Configs{}) }
