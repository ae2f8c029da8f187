package amplify

// addAPIEffects registers the job effects of the GraphQL API resource.
func (s *Service) addAPIEffects(m map[string]effect) {}
