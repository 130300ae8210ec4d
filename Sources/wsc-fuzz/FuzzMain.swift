import WSCFuzzing

#if FUZZING
    #if canImport(Glibc)
        import Glibc
    #endif

    /// The target `$WSC_FUZZ_TARGET` names (libFuzzer calls this with each input).
    nonisolated(unsafe) private let selected: FuzzTarget? = getenv("WSC_FUZZ_TARGET").flatMap {
        FuzzTarget(rawValue: String(cString: $0))
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
        guard let selected else {
            fatalError("set WSC_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
        return 0
    }

    /// libFuzzer's driver, which its own `main` would call.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The entry point SwiftPM links an executable module to (`main` is defined as it):
    /// it hands over to libFuzzer.
    @_cdecl("wsc_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments, fuzzOneInput)
    }
#else
    import Foundation

    /// Without libFuzzer: runs a target over input files (`wsc-fuzz TARGET FILE...`).
    ///
    /// After each input it writes `passed FILE` to standard output, unbuffered, so that a caller
    /// whose replay was cut short by a trap knows which input caused it: the first not passed.
    @main
    enum FuzzReplay {
        static func main() throws {
            let arguments = CommandLine.arguments.dropFirst()
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                print("usage: wsc-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...")
                exit(64)
            }
            for path in arguments.dropFirst() {
                target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                FileHandle.standardOutput.write(Data("passed \(path)\n".utf8))
            }
        }
    }
#endif
