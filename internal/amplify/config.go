package amplify

// addConfigEffects registers the job effects of the Admin UI config.
func (s *Service) addConfigEffects(m map[string]effect) {}
