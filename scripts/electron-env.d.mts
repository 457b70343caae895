export declare const ROOT: string
export declare function electronPackageDir(root?: string): string
export declare function electronVersion(root?: string): { version: string; abi: string | null }
export declare function findElectronBinary(root?: string): {
  available: boolean
  path: string | null
  reason: string
}
export declare function electronNativeBinding(
  root?: string,
  platform?: string,
  arch?: string
): string
