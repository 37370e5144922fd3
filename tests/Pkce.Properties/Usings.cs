global using FsCheck;
global using FsCheck.Fluent;
global using FsCheck.Xunit;
global using LanguageExt;
global using Xunit;
global using static LanguageExt.Prelude;
