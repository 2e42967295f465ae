//! Making the kernel's files private to their user. The cache folder holds
//! each kernel's build folder (the cells' source, their compiled libraries,
//! which the cells' process loads) and the standby's socket (whoever
//! connects to it is handed a kernel that runs code as this user). On a
//! shared machine (a JupyterHub, say) another user who could write to a
//! build folder could run code in this user's notebooks, and one who could
//! connect to the socket could claim the standby. So the kernel makes its
//! folders `0700` (created so, or tightened when they already exist) and
//! its sockets `0600`.
//!
//! A socket is bound with the process's umask and made `0600` right after;
//! the folder it is in is already `0700`, so there is no moment at which
//! another user can reach it.

use std::fs::{DirBuilder, Permissions};
use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
use std::path::Path;

/// A folder only its owner may list, enter or change.
const FOLDER: u32 = 0o700;
/// A socket only its owner may connect to.
const SOCKET: u32 = 0o600;

/// Creates the folder `path` (and any missing parent) with mode `0700`, or
/// makes it `0700` if it exists.
pub fn create_dir(path: &Path) -> std::io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(FOLDER)
        .create(path)?;
    tighten(path)
}

/// Makes the existing folder `path` `0700` (left alone if it already is, so
/// that a folder that is already private need not be owned by this user).
pub fn tighten(path: &Path) -> std::io::Result<()> {
    set_mode(path, FOLDER)
}

/// Makes the Unix socket file at `path` `0600`, once bound.
pub fn socket(path: &Path) -> std::io::Result<()> {
    set_mode(path, SOCKET)
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o7777;
    if current != mode {
        std::fs::set_permissions(path, Permissions::from_mode(mode))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh folder under the system's temporary folder, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let path = std::env::temp_dir().join(format!(
                "nn-kernel-private-{name}-{}-{}",
                std::process::id(),
                crate::protocol::random_hex()
            ));
            std::fs::create_dir_all(&path).unwrap();
            Scratch(path)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn private_create_dir_makes_new_folders_and_parents_0700() {
        let scratch = Scratch::new("new");
        let cache = scratch.0.join("cache");
        let session = cache.join("sessions/1-abc");
        create_dir(&session).unwrap();
        assert!(session.is_dir());
        assert_eq!(mode(&session), 0o700);
        assert_eq!(mode(&cache.join("sessions")), 0o700);
        assert_eq!(mode(&cache), 0o700);
    }

    #[test]
    fn private_create_dir_tightens_an_existing_folder() {
        let scratch = Scratch::new("existing");
        let cache = scratch.0.join("cache");
        std::fs::create_dir(&cache).unwrap();
        std::fs::set_permissions(&cache, Permissions::from_mode(0o777)).unwrap();
        std::fs::write(cache.join("kept"), b"x").unwrap();
        create_dir(&cache).unwrap();
        assert_eq!(mode(&cache), 0o700);
        assert!(cache.join("kept").is_file(), "contents are kept");
        // Idempotent.
        create_dir(&cache).unwrap();
        assert_eq!(mode(&cache), 0o700);
    }

    #[test]
    fn private_tighten_fails_on_a_missing_folder() {
        let scratch = Scratch::new("missing");
        assert!(tighten(&scratch.0.join("absent")).is_err());
    }

    #[test]
    fn private_socket_is_0600() {
        let scratch = Scratch::new("socket");
        let path = scratch.0.join("standby.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        socket(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        // Still usable by its owner.
        std::os::unix::net::UnixStream::connect(&path).unwrap();
        drop(listener);
    }
}
