/** Where `xmargin up` keeps the operator's bearer token, inside its data directory (mode 0600). */
export const OPERATOR_TOKEN_FILE = 'operator-token'
