import Foundation
import MediaStack

extension WiringTargets {
    /// SABnzbd → the Usenet provider of `.env`, once `USENET_HOST` is set; SABnzbd's API key comes from `.env`.
    func usenetServer(base: URL) -> (wiring: (any AppWiring)?, failure: WiringFailure?) {
        guard let provider = UsenetProvider(stack.settings) else { return (nil, nil) }
        let setting = apiKeySetting(.sabnzbd)
        guard let apiKey = key(setting) else {
            return (nil, Self.missingKey(.sabnzbd, setting, for: "SABnzbd's news server \(provider.name)"))
        }
        return (UsenetServerWiring(base: base, apiKey: apiKey, keySetting: setting, provider: provider), nil)
    }
}
