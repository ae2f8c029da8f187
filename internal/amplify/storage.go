package amplify

// addStorageEffects registers the job effects of the S3 storage resource.
func (s *Service) addStorageEffects(m map[string]effect) {}
