'use strict';

// Starts s3rver for the S3Server test fixture, with one addition s3rver lacks: decoding of
// aws-chunked request bodies. The AWS SDK for .NET uploads over plain HTTP in signed chunks
// ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"); s3rver accepts the header but would store the chunk
// framing as part of the object.
//
// Usage: node s3rver-host.js <path of the s3rver package> <data directory>
// Prints "S3rver listening on <address>:<port>" once it accepts connections, like s3rver's own CLI.

const { Transform } = require('stream');

const [s3rverPackage, directory] = process.argv.slice(2);
const S3rver = require(s3rverPackage);

// Body framing: "<hex size>[;chunk-signature=...]\r\n<data>\r\n", repeated, ending with a
// zero-size chunk that may be followed by trailing headers (checksums), which are dropped.
class AwsChunkedDecoder extends Transform {
  constructor() {
    super();
    this.pending = Buffer.alloc(0);
    this.remaining = 0; // bytes of chunk data still to pass on
    this.state = 'size';
  }

  _transform(data, encoding, callback) {
    this.pending = Buffer.concat([this.pending, data]);
    try {
      this.decodeAvailable();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  _flush(callback) {
    callback(this.state === 'end' ? null : new Error(`aws-chunked body ended early (in ${this.state})`));
  }

  decodeAvailable() {
    while (this.pending.length > 0 && this.state !== 'end') {
      if (this.state === 'size') {
        const lineEnd = this.pending.indexOf('\r\n');
        if (lineEnd < 0) {
          return;
        }
        const sizeText = this.pending.subarray(0, lineEnd).toString('latin1').split(';')[0].trim();
        const size = parseInt(sizeText, 16);
        if (Number.isNaN(size)) {
          throw new Error(`aws-chunked: bad chunk size "${sizeText}"`);
        }
        this.pending = this.pending.subarray(lineEnd + 2);
        this.remaining = size;
        this.state = size === 0 ? 'end' : 'data';
      } else if (this.state === 'data') {
        const take = Math.min(this.remaining, this.pending.length);
        this.push(this.pending.subarray(0, take));
        this.pending = this.pending.subarray(take);
        this.remaining -= take;
        if (this.remaining === 0) {
          this.state = 'crlf';
        }
      } else if (this.state === 'crlf') {
        if (this.pending.length < 2) {
          return;
        }
        this.pending = this.pending.subarray(2);
        this.state = 'size';
      }
    }
    if (this.state === 'end') {
      this.pending = Buffer.alloc(0); // trailers
    }
  }
}

function isAwsChunked(headers) {
  const encodings = (headers['content-encoding'] || '').split(',').map(value => value.trim());
  return encodings.includes('aws-chunked') || (headers['x-amz-content-sha256'] || '').startsWith('STREAMING-');
}

async function decodeAwsChunked(ctx, next) {
  const headers = ctx.request.req.headers;
  if (isAwsChunked(headers)) {
    // Make the request look as if the SDK had sent the plain object: its real length, and no
    // aws-chunked encoding to be stored as the object's Content-Encoding.
    const encodings = (headers['content-encoding'] || '')
      .split(',')
      .map(value => value.trim())
      .filter(value => value && value !== 'aws-chunked');
    if (encodings.length > 0) {
      headers['content-encoding'] = encodings.join(', ');
    } else {
      delete headers['content-encoding'];
    }
    if (headers['x-amz-decoded-content-length'] !== undefined) {
      headers['content-length'] = headers['x-amz-decoded-content-length'];
    }
    // Only ctx.req is swapped: ctx.headers keeps reading the original request's (edited) headers.
    const decoded = ctx.req.pipe(new AwsChunkedDecoder());
    ctx.req.on('error', error => decoded.destroy(error));
    ctx.req = decoded;
  }
  await next();
}

const server = new S3rver({ directory, address: '127.0.0.1', port: 0, silent: true });
// Koa composes its middleware when it starts listening, so the decoder still gets to run first.
server.middleware.unshift(decodeAwsChunked);
server.run().then(
  ({ address, port }) => console.log('S3rver listening on %s:%d', address, port),
  error => {
    console.error(error);
    process.exit(1);
  },
);
