package whiteout

import (
	"github.com/layercheck/layercheck/harness/fsop"
	"github.com/layercheck/layercheck/harness/scenario"
)

// lookalikes: ordinary files named like the whiteout and opaque markers of
// tar layers (".wh.NAME", ".wh..wh..opq"): they show as files and hide
// nothing, whether the fixture holds them or a layer adds or deletes them.
func lookalikes() []scenario.Scenario {
	return []scenario.Scenario{
		{
			Name:   "delete-whiteout-lookalike",
			Doc:    "a file named like a whiteout marker is an ordinary file: deleting it hides it and nothing else",
			Steps:  []scenario.Step{scenario.Runtime(fsop.Remove{Path: "opt/.wh.not-a-whiteout"})},
			Labels: []string{"delete", "odd-name", "lookalike"},
		},
		{
			Name: "create-marker-lookalikes-in-layer",
			Doc:  "files named .wh.kept and .wh..wh..opq made in layer a over a lower directory hide neither kept nor the directory's lower children",
			Steps: []scenario.Step{scenario.InLayer("a",
				fsop.WriteFile{Path: "opt/wh/sub/.wh.kept", Data: "not a whiteout\n", Mode: 0o644},
				fsop.WriteFile{Path: "opt/wh/sub/.wh..wh..opq", Data: "not a marker\n", Mode: 0o644},
				fsop.WriteFile{Path: "etc/.wh.hostname", Data: "not a whiteout\n", Mode: 0o644})},
			Labels: []string{"odd-name", "lookalike"},
		},
		{
			Name:   "delete-marker-lookalikes-in-layer",
			Doc:    "deleting the files .wh.x and .wh..wh..opq in layer a hides them and leaves x",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "opt/wh/.wh.x"}, fsop.Remove{Path: "opt/wh/.wh..wh..opq"})},
			Labels: []string{"delete", "odd-name", "lookalike"},
		},
		{
			Name:   "delete-name-next-to-its-lookalike",
			Doc:    "deleting x in layer a leaves the ordinary file .wh.x beside it",
			Steps:  []scenario.Step{scenario.InLayer("a", fsop.Remove{Path: "opt/wh/x"})},
			Labels: []string{"delete", "odd-name", "lookalike"},
		},
	}
}
