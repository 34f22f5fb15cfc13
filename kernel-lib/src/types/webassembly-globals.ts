/**
 * Node 20's @types/node does not declare the WebAssembly global (it lives in lib.dom). This is the
 * small subset stagebook uses, declared globally so it also reaches tslab cells (TS 5.0) through
 * the emitted .d.ts.
 */
declare global {
  namespace WebAssembly {
    class Module {
      constructor(bytes: ArrayBufferView | ArrayBuffer);
      static exports(module: Module): { name: string; kind: string }[];
      static imports(module: Module): { module: string; name: string; kind: string }[];
    }
    class Instance {
      constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
      readonly buffer: ArrayBuffer;
      grow(delta: number): number;
    }
    class Global {
      value: unknown;
    }
  }
}
export {};
