package amplify

// addAuthEffects registers the job effects of the Cognito auth resource.
func (s *Service) addAuthEffects(m map[string]effect) {}
