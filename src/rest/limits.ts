/** REST bodies are small; /graphql keeps the app-wide 1 MB. */
export const REST_BODY_LIMIT = 64 * 1024;
