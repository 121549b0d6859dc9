package backend

// TopFirst returns layers, given bottom first (layer 0 first, as a
// scenario numbers them), in the order MountSpec.Lowers takes: top first.
func TopFirst(layers []string) []string {
	out := make([]string, len(layers))
	for i, l := range layers {
		out[len(layers)-1-i] = l
	}
	return out
}
