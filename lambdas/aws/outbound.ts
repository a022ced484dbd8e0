import { UrlPolicy } from '../core/net/url-policy.js';

/**
 * The outbound URL policy in AWS, for the api (checking configs) and the executor (calling them) alike: public
 * addresses only, always. A Lambda has no laptop agent to reach, and its private network is the account's
 * (VPC endpoints, the metadata service).
 */
export const awsOutboundPolicy = () => new UrlPolicy({ allowPrivate: false });
