package runs

import (
	"fmt"
	"strconv"
)

// CSVCell renders a JSON-ish value of a stored result as a CSV cell: nil
// empty, numbers in their shortest exact form, anything else as text.
func CSVCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
