package main

import (
	"fmt"
	"io"
)

// cmdCompare is a placeholder replaced below.
func cmdCompare(args []string, w io.Writer) (int, error) {
	fmt.Fprintln(w, args)
	return 0, nil
}
