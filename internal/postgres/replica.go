package postgres

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// StartReplica makes c a streaming replica of primary and starts it: a
// base backup of the primary's data folder taken with pg_basebackup -R
// (which writes standby.signal and primary_conninfo), with a socket folder
// of its own. c must not be initialised yet. A read replica serves
// `serve --read-database-url` and its tests; it needs the primary's
// default wal_level (replica) and a replication entry in pg_hba.conf,
// which initdb writes for local connections.
func (c *Cluster) StartReplica(ctx context.Context, primary *Cluster) error {
	if c.Initialized() {
		return fmt.Errorf("replica: %s already holds a cluster", c.dataDir())
	}
	bin, err := binDir()
	if err != nil {
		return err
	}
	acct, err := serverAccount()
	if err != nil {
		return err
	}
	if err := c.prepareBase(acct); err != nil {
		return err
	}
	if err := mkdirOwned(c.socketDir(), 0o755, acct); err != nil {
		return err
	}
	if err := mkdirOwned(c.dataDir(), 0o700, acct); err != nil {
		return err
	}
	src := fmt.Sprintf("host=%s port=%d user=%s", primary.socketDir(), embeddedPort, embeddedUser)
	backup := c.command(ctx, acct, filepath.Join(bin, "pg_basebackup"),
		"-D", c.dataDir(), "-d", src, "-R", "-X", "stream", "-c", "fast", "--no-sync")
	if err := run(backup); err != nil {
		return fmt.Errorf("replica: base backup of %s: %w", primary.dataDir(), err)
	}
	// The copied postgresql.conf names the primary's socket folder.
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.auto.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "unix_socket_directories = '%s'\nhot_standby = on\n", c.socketDir())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return c.Start(ctx)
}
