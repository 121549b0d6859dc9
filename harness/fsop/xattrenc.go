package fsop

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Binary values of the extended attributes that carry access rights, so
// that scenarios can set them with SetXattr (whose Value is any byte
// string) and findings can print them in words. The formats are the
// kernel's (include/uapi/linux/posix_acl_xattr.h, capability.h); nothing
// here calls setfacl or setcap, so the values are exactly what the run set.

// Names of the extended attributes that hold POSIX ACLs and file capabilities.
const (
	XattrACLAccess  = "system.posix_acl_access"
	XattrACLDefault = "system.posix_acl_default"
	XattrCapability = "security.capability"
)

// ACL tags of posix_acl_xattr.h, in the order the kernel requires them.
const (
	aclUserObj  = 0x01
	aclUser     = 0x02
	aclGroupObj = 0x04
	aclGroup    = 0x08
	aclMask     = 0x10
	aclOther    = 0x20

	aclXattrVersion = 2
	aclUndefinedID  = 0xffffffff
)

type aclEntry struct {
	tag  uint16
	perm uint16
	id   uint32
}

// ACL encodes a POSIX ACL written as getfacl's short text form, entries
// separated by commas: "u::rw-,u:1002:r--,g::r--,m::r--,o::---" (tags u,
// g, m, o or user, group, mask, other; numeric ids only). The entries are
// put in the order the kernel requires. It panics on a malformed text: ACLs
// are scenario data, written by hand.
func ACL(text string) string {
	v, err := EncodeACL(text)
	if err != nil {
		panic(err)
	}
	return v
}

// EncodeACL is ACL with an error instead of a panic.
func EncodeACL(text string) (string, error) {
	var ents []aclEntry
	for _, field := range strings.Split(text, ",") {
		e, err := parseACLEntry(text, field)
		if err != nil {
			return "", err
		}
		ents = append(ents, e)
	}
	sort.SliceStable(ents, func(i, j int) bool {
		if ents[i].tag != ents[j].tag {
			return ents[i].tag < ents[j].tag
		}
		return ents[i].id < ents[j].id
	})
	b := binary.LittleEndian.AppendUint32(nil, aclXattrVersion)
	for _, e := range ents {
		b = binary.LittleEndian.AppendUint16(b, e.tag)
		b = binary.LittleEndian.AppendUint16(b, e.perm)
		b = binary.LittleEndian.AppendUint32(b, e.id)
	}
	return string(b), nil
}

// parseACLEntry reads one "tag:id:perms" entry of the ACL text (text is
// for the error's words).
func parseACLEntry(text, field string) (aclEntry, error) {
	parts := strings.Split(strings.TrimSpace(field), ":")
	if len(parts) != 3 {
		return aclEntry{}, fmt.Errorf("acl %q: entry %q is not tag:id:perms", text, field)
	}
	e := aclEntry{id: aclUndefinedID}
	named := parts[1] != ""
	switch parts[0] {
	case "u", "user":
		e.tag = aclUserObj
		if named {
			e.tag = aclUser
		}
	case "g", "group":
		e.tag = aclGroupObj
		if named {
			e.tag = aclGroup
		}
	case "m", "mask":
		e.tag = aclMask
	case "o", "other":
		e.tag = aclOther
	default:
		return e, fmt.Errorf("acl %q: unknown tag %q", text, parts[0])
	}
	if named {
		if e.tag != aclUser && e.tag != aclGroup {
			return e, fmt.Errorf("acl %q: %s entries take no id", text, parts[0])
		}
		id, err := strconv.ParseUint(parts[1], 10, 32)
		if err != nil {
			return e, fmt.Errorf("acl %q: id %q is not a number", text, parts[1])
		}
		e.id = uint32(id)
	}
	if len(parts[2]) != 3 {
		return e, fmt.Errorf("acl %q: perms %q are not rwx", text, parts[2])
	}
	for i, c := range parts[2] {
		switch {
		case c == rune("rwx"[i]):
			e.perm |= 4 >> i
		case c != '-':
			return e, fmt.Errorf("acl %q: perms %q are not rwx", text, parts[2])
		}
	}
	return e, nil
}

// decodeACL is the inverse of EncodeACL (ok false if v is no ACL).
func decodeACL(v string) (string, bool) {
	b := []byte(v)
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.LittleEndian.Uint32(b) != aclXattrVersion {
		return "", false
	}
	var out []string
	for b = b[4:]; len(b) > 0; b = b[8:] {
		tag, perm, id := binary.LittleEndian.Uint16(b), binary.LittleEndian.Uint16(b[2:]), binary.LittleEndian.Uint32(b[4:])
		name := map[uint16]string{aclUserObj: "u", aclUser: "u", aclGroupObj: "g", aclGroup: "g", aclMask: "m", aclOther: "o"}[tag]
		if name == "" {
			return "", false
		}
		q := ""
		if tag == aclUser || tag == aclGroup {
			q = strconv.FormatUint(uint64(id), 10)
		}
		p := []byte("---")
		for i := range p {
			if perm&(4>>i) != 0 {
				p[i] = "rwx"[i]
			}
		}
		out = append(out, name+":"+q+":"+string(p))
	}
	return strings.Join(out, ","), true
}

// ACLNamesUnmappedID reports whether v, a POSIX ACL xattr value, has a
// named user or group entry whose id is ACL_UNDEFINED_ID: what getxattr(2)
// gives through an idmapped mount for an id on disk that the mount's
// mapping does not cover (the kernel's from_kuid/from_kgid yield -1), and
// what setxattr(2) refuses (EINVAL).
func ACLNamesUnmappedID(v string) bool {
	b := []byte(v)
	if len(b) < 4 || (len(b)-4)%8 != 0 || binary.LittleEndian.Uint32(b) != aclXattrVersion {
		return false
	}
	for b = b[4:]; len(b) > 0; b = b[8:] {
		tag := binary.LittleEndian.Uint16(b)
		if (tag == aclUser || tag == aclGroup) && binary.LittleEndian.Uint32(b[4:]) == aclUndefinedID {
			return true
		}
	}
	return false
}

// vfs_cap_data of capability.h, revision 2: magic_etc, then permitted and
// inheritable as two 32-bit halves each.
const (
	capRevision2      = 0x02000000
	capRevisionMask   = 0xff000000
	capFlagsEffective = 0x000001
	capV2Size         = 4 + 2*8
)

// Capability numbers for FileCaps (capability.h).
const (
	CapChown     = 0
	CapSetuid    = 7
	CapNetBindSv = 10
	CapNetRaw    = 13
	CapSysAdmin  = 21
)

// FileCaps encodes security.capability (revision 2) that permits caps, and
// makes them effective at exec when effective is set: FileCaps(true,
// CapNetRaw) is setcap's "cap_net_raw+ep".
func FileCaps(effective bool, caps ...int) string {
	var permitted uint64
	for _, c := range caps {
		permitted |= 1 << uint(c)
	}
	magic := uint32(capRevision2)
	if effective {
		magic |= capFlagsEffective
	}
	b := binary.LittleEndian.AppendUint32(nil, magic)
	b = binary.LittleEndian.AppendUint32(b, uint32(permitted))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(permitted>>32))
	b = binary.LittleEndian.AppendUint32(b, 0)
	return string(b)
}

// decodeCaps describes a security.capability value (ok false if it is none).
func decodeCaps(v string) (string, bool) {
	b := []byte(v)
	if len(b) < capV2Size {
		return "", false
	}
	magic := binary.LittleEndian.Uint32(b)
	rev := magic & capRevisionMask
	if rev != capRevision2 && rev != 0x03000000 {
		return "", false
	}
	perm := uint64(binary.LittleEndian.Uint32(b[4:])) | uint64(binary.LittleEndian.Uint32(b[12:]))<<32
	inh := uint64(binary.LittleEndian.Uint32(b[8:])) | uint64(binary.LittleEndian.Uint32(b[16:]))<<32
	s := fmt.Sprintf("v%d permitted=%#x inheritable=%#x", rev>>24, perm, inh)
	if magic&capFlagsEffective != 0 {
		s += " effective"
	}
	if rev == 0x03000000 && len(b) >= capV2Size+4 {
		s += fmt.Sprintf(" rootid=%d", binary.LittleEndian.Uint32(b[capV2Size:]))
	}
	return s, true
}

// XattrText shows the value of the extended attribute name the way a reader
// wants it: ACLs and file capabilities decoded, other values as they are.
func XattrText(name, value string) string {
	switch name {
	case XattrACLAccess, XattrACLDefault:
		if s, ok := decodeACL(value); ok {
			return "acl " + s
		}
	case XattrCapability:
		if s, ok := decodeCaps(value); ok {
			return "caps " + s
		}
	}
	return value
}
