package fsop

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// opTypes makes an empty op of each kind, for decoding.
var opTypes = map[string]func() Op{
	"chmod": func() Op { return &Chmod{} }, "chown": func() Op { return &Chown{} }, "lchown": func() Op { return &Lchown{} },
	"remove": func() Op { return &Remove{} }, "remove-all": func() Op { return &RemoveAll{} }, "rename": func() Op { return &Rename{} },
	"write": func() Op { return &WriteFile{} }, "append": func() Op { return &Append{} }, "truncate": func() Op { return &Truncate{} },
	"mkdir": func() Op { return &Mkdir{} }, "symlink": func() Op { return &Symlink{} }, "link": func() Op { return &Link{} },
	"mkfifo": func() Op { return &Mkfifo{} }, "setxattr": func() Op { return &SetXattr{} }, "removexattr": func() Op { return &RemoveXattr{} },
	"list-twice": func() Op { return &ListTwice{} }, "utimens": func() Op { return &Utimens{} }, "read": func() Op { return &ReadFile{} },
}

// The descriptor ops (fdops.go, fdmap.go, fdexec.go), WriteProgram and
// RawLchown (rawowner.go).
func init() {
	for _, op := range []Op{&Open{}, &Close{}, &ReadFD{}, &WriteFD{}, &FstatFD{}, &FchmodFD{}, &FchownFD{}, &FsetxattrFD{},
		&FtruncateFD{}, &FsyncFD{}, &Mmap{}, &MapRead{}, &Flock{}, &FcntlLock{}, &OpenTmpfile{}, &Linkat{}, &Exec{}, &WriteProgram{},
		&RawLchown{}} {
		t := reflect.TypeOf(op).Elem()
		opTypes[op.Kind()] = func() Op { return reflect.New(t).Interface().(Op) }
	}
}

// opJSON is an op on the wire: its kind and its fields.
type opJSON struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

// MarshalOp encodes an op as {"op": kind, "args": {fields}}. It refuses an
// op that would not decode to itself (a string field holding bytes that
// are not UTF-8, which JSON cannot carry), rather than write a scenario
// that replays something else.
func MarshalOp(op Op) ([]byte, error) {
	args, err := json.Marshal(op)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(opJSON{Op: op.Kind(), Args: args})
	if err != nil {
		return nil, err
	}
	if back, err := UnmarshalOp(b); err != nil || !reflect.DeepEqual(back, op) {
		return nil, fmt.Errorf("op %q cannot be written as JSON (a value that is not UTF-8?)", op.Shell())
	}
	return b, nil
}

// UnmarshalOp decodes what MarshalOp wrote.
func UnmarshalOp(b []byte) (Op, error) {
	var w opJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	mk, ok := opTypes[w.Op]
	if !ok {
		return nil, fmt.Errorf("unknown op %q", w.Op)
	}
	p := mk()
	if err := json.Unmarshal(w.Args, p); err != nil {
		return nil, fmt.Errorf("op %s: %w", w.Op, err)
	}
	// The ops are values: return the struct, not the pointer.
	switch v := p.(type) {
	case *Chmod:
		return *v, nil
	case *Chown:
		return *v, nil
	case *Lchown:
		return *v, nil
	case *Remove:
		return *v, nil
	case *RemoveAll:
		return *v, nil
	case *Rename:
		return *v, nil
	case *WriteFile:
		return *v, nil
	case *Append:
		return *v, nil
	case *Truncate:
		return *v, nil
	case *Mkdir:
		return *v, nil
	case *Symlink:
		return *v, nil
	case *Link:
		return *v, nil
	case *Mkfifo:
		return *v, nil
	case *SetXattr:
		return *v, nil
	case *RemoveXattr:
		return *v, nil
	case *ListTwice:
		return *v, nil
	case *Utimens:
		return *v, nil
	case *ReadFile:
		return *v, nil
	}
	if v := reflect.ValueOf(p); v.Kind() == reflect.Pointer {
		return v.Elem().Interface().(Op), nil // the ops registered in init
	}
	return nil, fmt.Errorf("op %s: no value type", w.Op)
}

// Kinds lists the op kinds that UnmarshalOp reads, sorted.
func Kinds() []string {
	out := make([]string, 0, len(opTypes))
	for k := range opTypes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
