import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** PEM files the server needs: the CA, and a leaf it signed. */
export interface ServerCertificates {
  caCertificatePem: string;
  serverCertificatePem: string;
  serverKeyPem: string;
}

const YEAR_MS = 365 * 86_400_000;

/**
 * Generates a CA and a server certificate it signs, for `localhost` and
 * `127.0.0.1` (so `sslmode=verify-full` works against either), valid ten
 * years. The CA key is not kept: nothing else is ever signed with it.
 */
export function generateServerCertificates(): ServerCertificates {
  const caKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const ca = newCertificate(caKeys.publicKey, 'evalap-infra local CA');
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const serverKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const server = newCertificate(serverKeys.publicKey, 'localhost');
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    {
      name: 'keyUsage',
      digitalSignature: true,
      keyEncipherment: true,
      critical: true,
    },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  server.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCertificatePem: forge.pki.certificateToPem(ca),
    serverCertificatePem: forge.pki.certificateToPem(server),
    serverKeyPem: forge.pki.privateKeyToPem(serverKeys.privateKey),
  };
}

function newCertificate(
  publicKey: forge.pki.PublicKey,
  commonName: string,
): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  const now = Date.now();

  certificate.publicKey = publicKey;
  // a positive serial: the first hex digit below 8
  certificate.serialNumber = `0${randomBytes(15).toString('hex')}`;
  certificate.validity.notBefore = new Date(now - 60_000);
  certificate.validity.notAfter = new Date(now + 10 * YEAR_MS);
  certificate.setSubject([{ name: 'commonName', value: commonName }]);

  return certificate;
}
