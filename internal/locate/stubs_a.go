package locate

// Placeholders owned by the engine helper A; each is replaced by a real
// implementation in its own file.

import (
	"errors"
)

var errTODO = errors.New("not implemented yet")
