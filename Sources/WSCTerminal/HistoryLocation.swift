#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the prompt's history lives: `$XDG_STATE_HOME/wsc/history`, else `~/.local/state/wsc/history`.
public enum HistoryLocation {
    /// The history file's path, or nil when neither `XDG_STATE_HOME` nor `HOME` is set.
    public static func defaultPath() -> String? {
        if let state = getenv("XDG_STATE_HOME"), state.pointee != 0 {
            return String(cString: state) + "/wsc/history"
        }
        if let home = getenv("HOME"), home.pointee != 0 {
            return String(cString: home) + "/.local/state/wsc/history"
        }
        return nil
    }

    /// Creates the file's directory (mode 0700) and the file itself (mode 0600) if missing,
    /// and tightens the file's mode to 0600 if it is looser.
    public static func prepare(_ path: String) -> Bool {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        var directory = path.hasPrefix("/") ? "" : "."
        if path.hasPrefix("/") {
            components = components.dropFirst()
        }
        for component in components {
            directory += "/" + component
            if mkdir(directory, 0o700) != 0, errno != EEXIST {
                return false
            }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            return false
        }
        fchmod(descriptor, 0o600)
        close(descriptor)
        return true
    }
}
