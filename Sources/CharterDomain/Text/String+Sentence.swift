extension String {
    /// The phrase as a sentence: a capital first letter and a full stop at the end ("there is no
    /// employer 7" → "There is no employer 7."). Stores and the domain say what is wrong in phrases;
    /// pages and forms show them as sentences.
    public var asSentence: String {
        guard let first else { return self }
        let capitalised = first.uppercased() + dropFirst()
        return capitalised.hasSuffix(".") ? capitalised : capitalised + "."
    }
}
