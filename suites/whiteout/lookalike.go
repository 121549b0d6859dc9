package whiteout

import (
	h "github.com/layercheck/layercheck/harness"
)

// lookalikes: ordinary files named like the whiteout and opaque markers of
// tar layers (".wh.NAME", ".wh..wh..opq"): they show as files and hide
// nothing, whether the fixture holds them or a layer adds or deletes them.
func lookalikes() []h.Scenario {
	return []h.Scenario{
		{
			Name:   "delete-whiteout-lookalike",
			Doc:    "a file named like a whiteout marker is an ordinary file: deleting it hides it and nothing else",
			Steps:  []h.Step{h.Runtime(h.Remove{Path: "opt/.wh.not-a-whiteout"})},
			Labels: []string{"delete", "odd-name", "lookalike"},
		},
		{
			Name: "create-marker-lookalikes-in-layer",
			Doc:  "files named .wh.kept and .wh..wh..opq made in layer a over a lower directory hide neither kept nor the directory's lower children",
			Steps: []h.Step{h.InLayer("a",
				h.WriteFile{Path: "opt/wh/sub/.wh.kept", Data: "not a whiteout\n", Mode: 0o644},
				h.WriteFile{Path: "opt/wh/sub/.wh..wh..opq", Data: "not a marker\n", Mode: 0o644},
				h.WriteFile{Path: "etc/.wh.hostname", Data: "not a whiteout\n", Mode: 0o644})},
			Labels: []string{"odd-name", "lookalike"},
		},
		{
			Name:   "delete-marker-lookalikes-in-layer",
			Doc:    "deleting the files .wh.x and .wh..wh..opq in layer a hides them and leaves x",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "opt/wh/.wh.x"}, h.Remove{Path: "opt/wh/.wh..wh..opq"})},
			Labels: []string{"delete", "odd-name", "lookalike"},
		},
		{
			Name:   "delete-name-next-to-its-lookalike",
			Doc:    "deleting x in layer a leaves the ordinary file .wh.x beside it",
			Steps:  []h.Step{h.InLayer("a", h.Remove{Path: "opt/wh/x"})},
			Labels: []string{"delete", "odd-name", "lookalike"},
		},
	}
}
