import ArgumentParser

/// Options for `wss://` connections, and for serving `wss://` with `--listen`.
struct TLSOptionGroup: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Trust the CA certificates in this PEM file (besides the system's); with --listen, require client certificates it signed.",
            valueName: "file"
        )
    )
    var ca: String?

    @Flag(
        name: [.customShort("n"), .customLong("no-check")],
        help: "Do not verify the server's certificate or host name."
    )
    var noCheck = false

    @Flag(name: [.customShort("k"), .long], help: "Same as --no-check (curl's name).")
    var insecure = false

    @Option(
        help: ArgumentHelp(
            "Present this PEM client certificate; with --listen, serve wss:// with it.",
            valueName: "file"
        )
    )
    var cert: String?

    @Option(help: ArgumentHelp("The PEM private key of --cert (default: the --cert file).", valueName: "file"))
    var key: String?

    func validate() throws {
        if self.key != nil, self.cert == nil {
            throw ValidationError("--key needs --cert")
        }
    }
}
