package scenario

import (
	"encoding/json"
	"fmt"

	"github.com/layercheck/layercheck/harness/fsop"
)

// stepJSON is a Step on the wire.
type stepJSON struct {
	Phase string            `json:"phase"`
	Layer int               `json:"layer"`
	Var   string            `json:"var,omitempty"`
	Ops   []json.RawMessage `json:"ops"`
}

var phaseNames = map[string]Phase{"layer": PhaseLayer, "runtime": PhaseRuntime, "offline": PhaseOffline}

// MarshalJSON implements json.Marshaler.
func (s Step) MarshalJSON() ([]byte, error) {
	w := stepJSON{Phase: s.Phase.String(), Layer: s.Layer, Var: s.Var}
	for _, op := range s.Ops {
		b, err := fsop.MarshalOp(op)
		if err != nil {
			return nil, err
		}
		w.Ops = append(w.Ops, b)
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *Step) UnmarshalJSON(b []byte) error {
	var w stepJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	ph, ok := phaseNames[w.Phase]
	if !ok {
		return fmt.Errorf("unknown phase %q", w.Phase)
	}
	*s = Step{Phase: ph, Layer: w.Layer, Var: w.Var}
	for _, raw := range w.Ops {
		op, err := fsop.UnmarshalOp(raw)
		if err != nil {
			return err
		}
		s.Ops = append(s.Ops, op)
	}
	return nil
}
