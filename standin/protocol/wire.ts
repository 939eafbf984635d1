/** An HTTP answer the server writes as is. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
