/// The one place the version lives: `--version`, the User-Agent and the README read it.
public enum MapitopVersion {
    public static let string = "0.1.0"
    public static let userAgent = "mapitop/\(string)"
}
