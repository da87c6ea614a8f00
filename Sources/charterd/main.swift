import CharterApp
import Foundation

// Everything lives in CharterApp so tests can drive it; this file stays thin.
exit(await CharterDaemon.run())
