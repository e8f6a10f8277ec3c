// Eleventy 3 ships JS without declarations; this is the slice of its programmatic API we use.
declare module '@11ty/eleventy' {
  export interface EleventyUserConfig {
    addGlobalData(name: string, value: unknown): void;
    setTemplateFormats(formats: string[]): void;
    ignores: { add(glob: string): void };
    setQuietMode(quiet: boolean): void;
    addFilter(name: string, fn: (...args: never[]) => unknown): void;
    [key: string]: unknown;
  }
  export interface EleventyResult {
    url: string;
    inputPath: string;
    outputPath: string | false;
    content: string;
  }
  export class Eleventy {
    constructor(input?: string, output?: string, options?: { quietMode?: boolean; configPath?: string; config?: (config: EleventyUserConfig) => void });
    toJSON(): Promise<EleventyResult[]>;
    write(): Promise<unknown>;
  }
  export default Eleventy;
}
