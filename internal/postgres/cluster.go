// Package postgres connects coldchain to PostgreSQL + PostGIS: the pgx pool,
// the embedded private cluster used when DATABASE_URL is unset, the
// migrations runner and error translation at the store boundary.
//
// The embedded cluster runs the system's PostgreSQL binaries (Debian's
// postgresql-15) under a home folder. PostgreSQL refuses to run as root, so
// when coldchain runs as root the cluster runs as the "postgres" system user,
// which owns the data folder. The cluster listens only on a unix socket in
// the home folder (no TCP port to collide with).
package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Debian packages that provide what the cluster needs; named in messages.
const (
	PackageServer  = "postgresql-15"
	PackagePostGIS = "postgresql-15-postgis-3"
	PackageRouting = "postgresql-15-pgrouting"
)

// ErrNoPostgres reports that no PostgreSQL server binaries were found.
var ErrNoPostgres = fmt.Errorf("no PostgreSQL server found (looked for pg_config --bindir and /usr/lib/postgresql/*/bin): install it with: apt-get install -y %s %s %s", PackageServer, PackagePostGIS, PackageRouting)

// Cluster is a private PostgreSQL cluster under Home.
type Cluster struct {
	Home string // folder holding data/, run/ and postgres.log; absolute
	// Dir, if set, holds the cluster instead of Home: a folder the
	// postgres user can reach when Home is inside one it cannot enter
	// (see NewCluster).
	Dir string
	// Fast turns off fsync for throwaway test clusters.
	Fast bool
}

// SystemDir holds the clusters of homes the postgres user cannot reach,
// one folder per home, named by a hash of the home's path.
var SystemDir = "/var/lib/coldchain"

// DB and role the embedded cluster creates.
const (
	embeddedUser = "coldchain"
	embeddedDB   = "coldchain"
	embeddedPort = 5432 // names the socket file only; no TCP listener
)

// NewCluster returns the cluster of home (made absolute). As root the
// server runs as the postgres user; when that user cannot enter a folder
// above home (a checkout in root's mode-700 home folder), the cluster
// lives in a folder of its own under SystemDir instead, named by a hash of
// home's path, so that the same home finds it again. No folder of the
// user's is opened up.
func NewCluster(home string) (*Cluster, error) {
	abs, err := filepath.Abs(home)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Home: abs}
	if acct, err := serverAccount(); err == nil && acct != nil && checkTraversable(abs, acct) != nil {
		sum := sha256.Sum256([]byte(abs))
		c.Dir = filepath.Join(SystemDir, hex.EncodeToString(sum[:8]))
	}
	return c, nil
}

// Folder is the folder holding the cluster: Home, or Dir when set.
func (c *Cluster) Folder() string { return c.base() }

// base is the folder holding the cluster.
func (c *Cluster) base() string {
	if c.Dir != "" {
		return c.Dir
	}
	return c.Home
}

func (c *Cluster) dataDir() string   { return filepath.Join(c.base(), "data") }
func (c *Cluster) socketDir() string { return filepath.Join(c.base(), "run") }
func (c *Cluster) logFile() string   { return filepath.Join(c.base(), "postgres.log") }

// URL returns the connection string of the cluster's coldchain database.
func (c *Cluster) URL() string { return c.urlFor(embeddedDB) }

// AdminURL returns a connection string to the cluster's postgres database,
// for creating and dropping databases.
func (c *Cluster) AdminURL() string { return c.urlFor("postgres") }

func (c *Cluster) urlFor(db string) string {
	q := url.Values{}
	q.Set("host", c.socketDir())
	q.Set("port", strconv.Itoa(embeddedPort))
	q.Set("user", embeddedUser)
	q.Set("sslmode", "disable")
	return "postgres:///" + db + "?" + q.Encode()
}

// binDir finds the PostgreSQL server binaries.
func binDir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(found, func(i, j int) bool { return versionOf(found[i]) > versionOf(found[j]) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", ErrNoPostgres
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// runAs is the account the server runs as: nil for the current user, or
// the postgres system user when the current user is root.
type account struct {
	uid, gid int
	name     string
}

func serverAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL must run as the postgres system user, which does not exist: install %s (it creates the user) or run coldchain as another user", PackageServer)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &account{uid: uid, gid: gid, name: u.Username}, nil
}

func (c *Cluster) command(ctx context.Context, acct *account, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.base()
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "TZ=UTC")
	if acct != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(acct.uid), Gid: uint32(acct.gid)}}
		cmd.Env = append(cmd.Env, "HOME="+c.base())
	}
	// pg_ctl start leaves the server running; it must not die with our
	// process group (Ctrl-C on `make run`) but be stopped by `db stop`.
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	return cmd
}

func run(cmd *exec.Cmd) error {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", filepath.Base(cmd.Path), err, strings.TrimSpace(out.String()))
	}
	return nil
}

// mkdirOwned creates dir with mode and hands it to acct.
func mkdirOwned(dir string, mode os.FileMode, acct *account) error {
	if err := os.MkdirAll(dir, mode); err != nil {
		return err
	}
	if err := os.Chmod(dir, mode); err != nil {
		return err
	}
	if acct != nil {
		return os.Chown(dir, acct.uid, acct.gid)
	}
	return nil
}

// Initialized reports whether the data folder holds a cluster.
func (c *Cluster) Initialized() bool {
	_, err := os.Stat(filepath.Join(c.dataDir(), "PG_VERSION"))
	return err == nil
}

// Start initialises the cluster if needed and starts it unless it already
// runs. It returns ErrNoPostgres when PostgreSQL is not installed.
func (c *Cluster) Start(ctx context.Context) error {
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
	if !c.Initialized() {
		if err := c.initdb(ctx, bin, acct); err != nil {
			return err
		}
	}
	if running, _ := c.Running(ctx); running {
		return nil
	}
	// A killed server leaves its pid file and socket behind; its pid may
	// even belong to another process by now.
	if err := c.clearStale(); err != nil {
		return err
	}
	if err := touchOwned(c.logFile(), acct); err != nil {
		return err
	}
	cmd := c.command(ctx, acct, filepath.Join(bin, "pg_ctl"), "start", "-w", "-t", "60",
		"-D", c.dataDir(), "-l", c.logFile())
	if err := run(cmd); err != nil {
		return fmt.Errorf("start PostgreSQL (log: %s): %w", c.logFile(), err)
	}
	return nil
}

func touchOwned(path string, acct *account) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	f.Close()
	if acct != nil {
		return os.Chown(path, acct.uid, acct.gid)
	}
	return nil
}

// checkTraversable fails with advice when an ancestor of dir cannot be
// entered by the server account (e.g. a 0700 home folder).
func checkTraversable(dir string, acct *account) error {
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if errors.Is(err, os.ErrNotExist) {
			if d == "/" || d == "." {
				return nil
			}
			continue // made later, by us, traversable
		}
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok && fi.Mode().Perm()&0o001 == 0 && int(st.Uid) != acct.uid {
			return fmt.Errorf("the %s user cannot enter %s (mode %v): choose a COLDCHAIN_HOME outside it, or chmod o+x %s", acct.name, d, fi.Mode().Perm(), d)
		}
		if d == "/" || d == "." {
			return nil
		}
	}
}

func (c *Cluster) initdb(ctx context.Context, bin string, acct *account) error {
	if err := mkdirOwned(c.dataDir(), 0o700, acct); err != nil {
		return err
	}
	args := []string{"-D", c.dataDir(), "-U", embeddedUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"}
	if c.Fast {
		args = append(args, "--no-sync")
	}
	if err := run(c.command(ctx, acct, filepath.Join(bin, "initdb"), args...)); err != nil {
		return fmt.Errorf("initialise cluster in %s: %w", c.dataDir(), err)
	}
	conf := fmt.Sprintf(`
# coldchain: private cluster, unix socket only
listen_addresses = ''
port = %d
unix_socket_directories = '%s'
unix_socket_permissions = 0700
max_connections = 200
shared_buffers = 256MB
work_mem = 32MB
maintenance_work_mem = 256MB
statement_timeout = 0
timezone = 'UTC'
`, embeddedPort, c.socketDir())
	if c.Fast {
		conf += "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
	}
	f, err := os.OpenFile(filepath.Join(c.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(conf)
	return err
}

// Running reports whether the cluster's server is running: the pid in
// postmaster.pid is this cluster's postmaster (not a dead process, nor
// another process that got its pid after a kill) and its socket accepts
// connections (a killed server leaves a stale socket file behind).
func (c *Cluster) Running(ctx context.Context) (bool, error) {
	pid, err := c.pidFile()
	if err != nil || pid == 0 {
		return false, err
	}
	if !c.isPostmaster(pid) {
		return false, nil
	}
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "unix", c.socketPath())
	if err != nil {
		return false, nil
	}
	conn.Close()
	return true, nil
}

func (c *Cluster) socketPath() string {
	return filepath.Join(c.socketDir(), fmt.Sprintf(".s.PGSQL.%d", embeddedPort))
}

// pidFile reads the postmaster's pid from postmaster.pid (0 when there is
// none or it is unreadable as a pid).
func (c *Cluster) pidFile() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0, nil
	}
	return pid, nil
}

// isPostmaster reports whether pid is alive and, where /proc tells, a
// postgres process serving this cluster's data folder.
func (c *Cluster) isPostmaster(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) // no /proc: trust the signal check
	}
	args := strings.Split(string(cmdline), "\x00")
	return len(args) > 0 && filepath.Base(args[0]) == "postgres" && slices.Contains(args, c.dataDir())
}

// clearStale removes what a killed server left behind (postmaster.pid
// naming a dead or foreign process, the socket and its lock file), which
// would otherwise make start-up wait for or refuse a server that is gone.
func (c *Cluster) clearStale() error {
	pid, err := c.pidFile()
	if err != nil || pid == 0 || c.isPostmaster(pid) {
		return err
	}
	for _, f := range []string{filepath.Join(c.dataDir(), "postmaster.pid"), c.socketPath(), c.socketPath() + ".lock"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove the stale %s of a stopped server: %w", f, err)
		}
	}
	return nil
}

// Stop stops the server if it runs (fast shutdown: clients are disconnected).
func (c *Cluster) Stop(ctx context.Context) error {
	if running, _ := c.Running(ctx); !running {
		return nil
	}
	bin, err := binDir()
	if err != nil {
		return err
	}
	acct, err := serverAccount()
	if err != nil {
		return err
	}
	return run(c.command(ctx, acct, filepath.Join(bin, "pg_ctl"), "stop", "-w", "-t", "60", "-m", "fast", "-D", c.dataDir()))
}

// Remove stops the server and deletes the cluster's home folder.
func (c *Cluster) Remove(ctx context.Context) error {
	if err := c.Stop(ctx); err != nil {
		return err
	}
	if c.Dir != "" {
		if err := os.RemoveAll(c.Dir); err != nil {
			return err
		}
	}
	return os.RemoveAll(c.Home)
}

// prepareBase creates the cluster's folder where the server account can
// reach it and, when it lives outside Home, leaves a note in Home saying
// where.
func (c *Cluster) prepareBase(acct *account) error {
	base := c.base()
	if err := os.MkdirAll(base, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", base, err)
	}
	if acct == nil {
		return nil
	}
	if err := checkTraversable(base, acct); err != nil {
		return err
	}
	if err := os.Chmod(base, 0o755); err != nil { // the cluster's own folder
		return err
	}
	if c.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(c.Home, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", c.Home, err)
	}
	note := fmt.Sprintf("The embedded PostgreSQL cluster of %s lives in %s:\n"+
		"the %s user cannot enter a folder above this one. `coldchain db stop` stops it;\n"+
		"`make clean` (or deleting both folders) removes it.\n", c.Home, c.Dir, acct.name)
	return os.WriteFile(filepath.Join(c.Home, "CLUSTER"), []byte(note), 0o644)
}

// WaitReady waits until the server accepts connections or ctx ends.
func (c *Cluster) WaitReady(ctx context.Context) error {
	for {
		if ok, _ := c.Running(ctx); ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
