/// The OpenAPI 3.1 document of the API (`openapi.yaml` at the repository's root, embedded at build
/// time), served at `/openapi.yaml`. A test fails when it and `CharterAPI.routes` disagree.
public enum OpenAPIDocument {
    public static var yaml: String { embeddedOpenAPIYAML }
}
